package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// rawConn is one keep-alive HTTP/1.1 connection driven by hand: the request
// is written from a reused byte slice and the answer parsed with
// http.ReadResponse. It costs far less CPU than http.Transport (no read and
// write goroutines per connection, no pool), which matters because the
// load generator shares the machine's two cores with the app, as wrk would.
//
// A failed request closes the connection and is not retried: the next one
// dials again. Retrying silently would hide errors and could repeat a view
// that already cost an upstream call.
type rawConn struct {
	addr   string // host:port to dial
	host   string // Host header
	gzip   bool   // send Accept-Encoding: gzip, as browsers do
	conn   net.Conn
	br     *bufio.Reader
	req    []byte
	dials  int
	errors int
}

// reply is what a request measured.
type reply struct {
	status   int
	encoding string // Content-Encoding
	n        int64  // body bytes on the wire
}

const requestTimeout = 30 * time.Second

// get sends GET path (with cookie, when set) and reads the whole answer,
// copying the body into body when it is not nil.
func (c *rawConn) get(path, cookie string, body io.Writer) (reply, error) {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			c.errors++
			return reply{}, err
		}
		c.dials++
		c.conn = conn
		if c.br == nil {
			c.br = bufio.NewReaderSize(conn, 32<<10)
		} else {
			c.br.Reset(conn)
		}
	}
	c.req = append(c.req[:0], "GET "...)
	c.req = append(c.req, path...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, c.host...)
	c.req = append(c.req, "\r\nUser-Agent: simklink-bench/1\r\nAccept: text/html,*/*;q=0.8\r\n"...)
	if c.gzip {
		c.req = append(c.req, "Accept-Encoding: gzip\r\n"...)
	}
	if cookie != "" {
		c.req = append(c.req, "Cookie: "...)
		c.req = append(c.req, cookie...)
		c.req = append(c.req, "\r\n"...)
	}
	c.req = append(c.req, "\r\n"...)

	_ = c.conn.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := c.conn.Write(c.req); err != nil {
		return reply{}, c.fail(err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return reply{}, c.fail(err)
	}
	if body == nil {
		body = io.Discard
	}
	n, err := io.Copy(body, resp.Body)
	resp.Body.Close()
	if err != nil {
		return reply{}, c.fail(err)
	}
	if resp.Close {
		c.close()
	}
	return reply{status: resp.StatusCode, encoding: resp.Header.Get("Content-Encoding"), n: n}, nil
}

func (c *rawConn) fail(err error) error {
	c.errors++
	c.close()
	return err
}

func (c *rawConn) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

// decoded returns the body as HTML, gunzipping it when it was sent gzipped.
func decoded(r reply, body *bytes.Buffer, zr **gzip.Reader, out *bytes.Buffer) ([]byte, error) {
	if r.encoding != "gzip" {
		return body.Bytes(), nil
	}
	var err error
	if *zr == nil {
		*zr, err = gzip.NewReader(bytes.NewReader(body.Bytes()))
	} else {
		err = (*zr).Reset(bytes.NewReader(body.Bytes()))
	}
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	out.Reset()
	if _, err := io.Copy(out, *zr); err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	return out.Bytes(), nil
}
