package simkltest

import (
	"time"
)

// Simkl IDs of the seeded catalog. WalkingDeadID, GameOfThronesID,
// DeathlyHallows2ID, AttackOnTitanID and DemonSlayerID are the IDs Simkl's
// own documentation uses for those titles; TrumanShowID is the ID its
// /sync/watched example answers "result": false for. The others are fixed,
// made-up integers.
const (
	// Movies.
	InceptionID       = 191853  // completed in the demo library
	TrumanShowID      = 53536   // not in the demo library; letterboxd the-truman-show
	JohnWick4ID       = 1044325 // plantowatch; traktslug john-wick-chapter-4-2023
	DeathlyHallows2ID = 67144   // not in the library
	MirrorID          = 146330  // Tarkovsky's Mirror: TMDB 1396, the same TMDB ID as Breaking Bad (a show)
	PalmSpringsID     = 924571  // reachable by its Hulu ID
	NorthboundID      = 2480917 // fictional; released 45 days after the stand-in starts ("upcoming")

	// TV shows.
	BreakingBadID     = 11121   // completed, every episode watched
	WalkingDeadID     = 2090    // watching: seasons 1-3 and episodes 1-8 of season 4
	GameOfThronesID   = 17465   // hold: season 1 and episodes 1-3 of season 2
	SherlockID        = 10961   // has three specials (season 0), one without a date or image; not in the library
	OnePieceNetflixID = 1560342 // the 2023 live-action series; reachable by its Netflix ID
	HarbourLightsID   = 2480931 // fictional; first episode airs 30 days after start ("tba")

	// Anime.
	AttackOnTitanID = 39687  // plantowatch; has three specials numbered 1-3
	OnePieceID      = 38636  // watching: episodes 1-500; airing, the last 6 episodes not yet aired
	DemonSlayerID   = 831411 // dropped after episode 3; reachable by its Crunchyroll ID
	YourNameID      = 497215 // an anime movie (anime_type "movie"); not in the library
)

// Episode counts of the long-running title, as seeded when New runs.
const (
	OnePieceEpisodes = 1150 // episodes listed for One Piece
	OnePieceUnaired  = 6    // of which air after the stand-in's start
)

// WalkingDeadS1E1ID is the Simkl episode ID of The Walking Dead's pilot,
// "Days Gone Bye", as in Simkl's documentation. Episode IDs of a show run
// consecutively from its first episode; see (*Simkl).EpisodeID.
const WalkingDeadS1E1ID = 310766

// DemoUser is the user whose library every new user starts from.
const DemoUser = "demo"

// Time zones episode dates are written in: Simkl writes US dates at
// GMT-05:00 and Japanese ones at +09:00.
func newYork() *time.Location { return time.FixedZone("", -5*3600) }
func tokyo() *time.Location   { return time.FixedZone("", 9*3600) }

func str(s string) *string { return &s }

func date(loc *time.Location, y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// weekly airs one episode a week from start.
func weekly(start time.Time) func(int) time.Time {
	return func(ep int) time.Time { return start.AddDate(0, 0, 7*(ep-1)) }
}

// seasonsOf builds weekly seasons numbered from 1.
func seasonsOf(starts []time.Time, counts ...int) []season {
	ss := make([]season, len(counts))
	for i, n := range counts {
		ss[i] = season{number: i + 1, count: n, date: weekly(starts[i])}
	}
	return ss
}

// seedTitles builds the catalog. Fixed titles have dates well before
// 2026; the upcoming and airing ones are placed relative to start (the
// clock when New ran) so that "aired" stays truthful.
func seedTitles(start time.Time) []*title {
	ny, jp := newYork(), tokyo()
	// anchor is start's calendar day in New York.
	s := start.In(ny)
	anchor := date(ny, s.Year(), s.Month(), s.Day())

	d := func(y int, m time.Month, dd int) time.Time { return date(ny, y, m, dd) }
	j := func(y int, m time.Month, dd int) time.Time { return date(jp, y, m, dd) }

	northbound := anchor.AddDate(0, 0, 45)
	harbour := anchor.AddDate(0, 0, 30)

	// One Piece: episodes 1-1144 spread from 1999-10-20 to three days
	// before start, then one a week, so the last six are in the future.
	opFirst := j(1999, time.October, 20)
	opLastAired := date(jp, s.Year(), s.Month(), s.Day()).AddDate(0, 0, -3)
	opAired := OnePieceEpisodes - OnePieceUnaired
	opSpan := int(opLastAired.Sub(opFirst).Hours() / 24)
	onePieceDate := func(ep int) time.Time {
		if ep <= opAired {
			return opFirst.AddDate(0, 0, (ep-1)*opSpan/(opAired-1))
		}
		return opLastAired.AddDate(0, 0, 7*(ep-opAired))
	}

	return []*title{
		{
			id: InceptionID, kind: kindMovie, name: "Inception", year: 2010,
			ids:      map[string]string{"imdb": "tt1375666", "tmdb": "27205"},
			overview: "A thief who steals secrets from people's dreams is offered a way home: instead of taking an idea, he must plant one in the mind of a powerful heir.",
			genres:   []string{"Action", "Science Fiction", "Adventure"},
			runtime:  148, cert: "PG-13", country: "US", director: "Christopher Nolan",
			status: "released", released: d(2010, time.July, 16),
			rank: 38, rating: 8.6, votes: 15210, imdbRate: 8.8, imdbVote: 2610000,
			trailers: []trailer{{Name: str("Official Trailer"), YouTube: "YoHD9XEInc0", Size: 1080}},
		},
		{
			id: TrumanShowID, kind: kindMovie, name: "The Truman Show", year: 1998,
			ids:      map[string]string{"imdb": "tt0120382", "tmdb": "37165", "letterboxd": "the-truman-show"},
			overview: "A cheerful insurance salesman slowly realises that his seaside town is a vast television set and that his whole life is broadcast around the clock.",
			genres:   []string{"Comedy", "Drama"},
			runtime:  103, cert: "PG", country: "US", director: "Peter Weir",
			status: "released", released: d(1998, time.June, 5),
			rank: 212, rating: 8.2, votes: 6020, imdbRate: 8.2, imdbVote: 1190000,
		},
		{
			id: JohnWick4ID, kind: kindMovie, name: "John Wick: Chapter 4", year: 2023,
			ids:      map[string]string{"imdb": "tt10366206", "tmdb": "603692", "traktslug": "john-wick-chapter-4-2023"},
			overview: "With the price on his head still rising, John Wick takes his fight against the High Table from Osaka to Berlin to the steps of Paris.",
			genres:   []string{"Action", "Thriller", "Crime"},
			runtime:  170, cert: "R", country: "US", director: "Chad Stahelski",
			status: "released", released: d(2023, time.March, 24),
			rank: 640, rating: 7.8, votes: 4110, imdbRate: 7.7, imdbVote: 360000,
		},
		{
			id: DeathlyHallows2ID, kind: kindMovie, name: "Harry Potter and the Deathly Hallows: Part 2", year: 2011,
			ids:    map[string]string{"imdb": "tt1201607", "tmdb": "12445"},
			poster: "96/967506e32f7921d4", fanart: "96/967624d7a281067c",
			overview: "Harry, Ron and Hermione race to destroy the last of Voldemort's Horcruxes as the battle for Hogwarts begins.",
			genres:   []string{"Adventure", "Family", "Fantasy"},
			runtime:  130, cert: "PG-13", country: "US", director: "David Yates",
			status: "released", released: d(2011, time.July, 15),
			rank: 641, rating: 8.1, votes: 427, imdbRate: 8.1, imdbVote: 607002,
			trailers: []trailer{{Name: str("Official Trailer 1"), YouTube: "mObK5XD8udk", Size: 1080}},
		},
		{
			id: MirrorID, kind: kindMovie, name: "Mirror", year: 1975,
			ids:      map[string]string{"imdb": "tt0072443", "tmdb": "1396"},
			overview: "A dying poet drifts through memories of his childhood, his mother and the war, woven together with newsreel footage of his country's century.",
			genres:   []string{"Drama"},
			runtime:  107, cert: "NR", country: "RU", director: "Andrei Tarkovsky",
			status: "released", released: d(1975, time.March, 7),
			// No Simkl votes yet: its ratings hold IMDb's only.
			rank: 1450, imdbRate: 8.0, imdbVote: 52000,
		},
		{
			id: PalmSpringsID, kind: kindMovie, name: "Palm Springs", year: 2020,
			ids:      map[string]string{"imdb": "tt9484998", "tmdb": "587792", "hulu": "927466"},
			overview: "Stuck reliving the same day at a desert wedding, two guests stop trying to escape the loop and start making the most of it.",
			genres:   []string{"Comedy", "Romance", "Fantasy"},
			runtime:  90, cert: "R", country: "US", director: "Max Barbakow",
			status: "released", released: d(2020, time.July, 10),
			rank: 2210, rating: 7.4, votes: 1830, imdbRate: 7.4, imdbVote: 190000,
		},
		{
			// Fictional, so that one movie is always unreleased.
			id: NorthboundID, kind: kindMovie, name: "Northbound", year: northbound.Year(),
			overview: "Two estranged sisters drive their late father's ice-cream van from Lisbon to the North Cape, arguing over every mile of the route.",
			genres:   []string{"Drama", "Comedy"},
			// Nothing but the basics: no certification, ratings, trailers or
			// fanart, as for many titles Simkl has just added.
			runtime: 118, country: "PT", director: "Marta Lindqvist",
			status: "released", released: northbound, noFanart: true,
		},
		{
			id: BreakingBadID, kind: kindShow, name: "Breaking Bad", year: 2008,
			ids:      map[string]string{"imdb": "tt0903747", "tvdb": "81189", "tmdb": "1396"},
			overview: "A chemistry teacher with a terminal diagnosis starts cooking methamphetamine with a former student to provide for his family, and finds he has a gift for crime.",
			genres:   []string{"Drama", "Crime", "Thriller"},
			runtime:  47, cert: "TV-MA", country: "US", network: "AMC",
			airs:   &airs{Day: "Sunday", Time: "10:00 PM", Timezone: "America/New_York"},
			status: "ended", rank: 3, rating: 9.3, votes: 25500, imdbRate: 9.5, imdbVote: 2200000,
			seasons: seasonsOf([]time.Time{d(2008, time.January, 20), d(2009, time.March, 8), d(2010, time.March, 21), d(2011, time.July, 17), d(2012, time.July, 15)},
				7, 13, 13, 13, 16),
			zone: ny, episodeBase: 7_100_000,
		},
		{
			id: WalkingDeadID, kind: kindShow, name: "The Walking Dead", year: 2010,
			ids:      map[string]string{"imdb": "tt1520211", "tvdb": "153021", "tmdb": "1402"},
			tvdbSlug: "the-walking-dead", poster: "16/16913426086fc13",
			overview: "Sheriff's deputy Rick Grimes wakes from a coma into a world overrun by the dead and leads a band of survivors in search of a safe place to live.",
			genres:   []string{"Drama", "Horror", "Thriller"},
			runtime:  45, cert: "TV-MA", country: "US", network: "AMC",
			airs:   &airs{Day: "Sunday", Time: "09:00 PM", Timezone: "America/New_York"},
			status: "ended", rank: 41, rating: 8.1, votes: 21800, imdbRate: 8.1, imdbVote: 1100000,
			trailers: []trailer{{Name: str("The Walking Dead: Official Trailer"), YouTube: "R1v0uFms68U", Size: 1080}},
			seasons: seasonsOf([]time.Time{d(2010, time.October, 31), d(2011, time.October, 16), d(2012, time.October, 14), d(2013, time.October, 13), d(2014, time.October, 12), d(2015, time.October, 11), d(2016, time.October, 23), d(2017, time.October, 22), d(2018, time.October, 7), d(2019, time.October, 6), d(2021, time.August, 22)},
				// Season 10 has 22 episodes: 177 in all, Simkl's documented total.
				6, 13, 16, 16, 16, 16, 16, 16, 16, 22, 24),
			zone: ny, episodeBase: WalkingDeadS1E1ID,
			episodeImg:  map[[2]int]string{{1, 1}: "33/33039065126ec2470"},
			episodeName: map[[2]int]string{{1, 1}: "Days Gone Bye", {1, 2}: "Guts", {1, 3}: "Tell It to the Frogs", {1, 4}: "Vatos", {1, 5}: "Wildfire", {1, 6}: "TS-19"},
		},
		{
			id: GameOfThronesID, kind: kindShow, name: "Game of Thrones", year: 2011,
			ids:    map[string]string{"imdb": "tt0944947", "tvdb": "121361", "tmdb": "1399", "zap2it": "EP01389809"},
			poster: "57/5742576cd8f59fcb0", fanart: "65/651708e80d87bb93",
			overview: "Noble houses scheme, marry and go to war for the Iron Throne of Westeros while an ancient enemy gathers beyond the Wall.",
			genres:   []string{"Drama", "Fantasy", "Adventure"},
			runtime:  55, cert: "TV-MA", country: "US", network: "HBO",
			airs:   &airs{Day: "Sunday", Time: "09:00 PM", Timezone: "America/New_York"},
			status: "ended", rank: 6, rating: 8.9, votes: 24100, imdbRate: 9.2, imdbVote: 2400000,
			trailers: []trailer{
				{Name: str("GAME OF THRONES - SEASON 1- TRAILER"), YouTube: "bjqEWgDVPe0", Size: 1080},
				{Name: str("Game of Thrones | Season 1 | Official Trailer"), YouTube: "BpJYNVhGf1s", Size: 1080},
			},
			seasons: seasonsOf([]time.Time{d(2011, time.April, 17), d(2012, time.April, 1), d(2013, time.March, 31), d(2014, time.April, 6), d(2015, time.April, 12), d(2016, time.April, 24), d(2017, time.July, 16), d(2019, time.April, 14)},
				10, 10, 10, 10, 10, 10, 7, 6),
			zone: ny, episodeBase: 7_102_000,
			episodeName: map[[2]int]string{{1, 1}: "Winter Is Coming", {8, 6}: "The Iron Throne"},
		},
		{
			id: SherlockID, kind: kindShow, name: "Sherlock", year: 2010,
			ids:      map[string]string{"imdb": "tt1475582", "tvdb": "176941", "tmdb": "19885"},
			overview: "A consulting detective and an army doctor back from Afghanistan solve baffling crimes in present-day London.",
			genres:   []string{"Crime", "Drama", "Mystery"},
			runtime:  88, cert: "TV-14", country: "GB", network: "BBC One",
			airs:   &airs{Day: "Sunday", Time: "08:30 PM", Timezone: "Europe/London"},
			status: "ended", rank: 52, rating: 8.7, votes: 9800, imdbRate: 9.1, imdbVote: 990000,
			seasons: seasonsOf([]time.Time{d(2010, time.July, 25), d(2012, time.January, 1), d(2014, time.January, 1), d(2017, time.January, 1)},
				3, 3, 3, 3),
			specials: []special{
				{name: "Many Happy Returns", date: d(2013, time.December, 24)},
				{name: "The Abominable Bride", date: d(2016, time.January, 1)},
				// Like many recorded specials: no date and no image.
				{name: "Unaired Pilot", noImage: true},
			},
			zone: ny, episodeBase: 7_104_000,
			episodeName: map[[2]int]string{{1, 1}: "A Study in Pink", {1, 2}: "The Blind Banker", {1, 3}: "The Great Game"},
		},
		{
			id: OnePieceNetflixID, kind: kindShow, name: "One Piece", year: 2023,
			ids:      map[string]string{"imdb": "tt11737520", "tvdb": "392276", "tmdb": "111110", "netflix": "80217863"},
			overview: "A rubber-limbed young pirate and his hand-picked crew sail from village to village in search of the greatest treasure on the seas.",
			genres:   []string{"Action", "Adventure", "Fantasy"},
			runtime:  60, cert: "TV-14", country: "US", network: "Netflix",
			airs:   &airs{Day: "Thursday", Time: "03:00 AM", Timezone: "America/New_York"},
			status: "airing", rank: 480, rating: 7.9, votes: 3900, imdbRate: 8.3, imdbVote: 170000,
			seasons: []season{{number: 1, count: 8, date: func(int) time.Time { return d(2023, time.August, 31) }}},
			zone:    ny, episodeBase: 7_106_000,
		},
		{
			// Fictional, so that one show is always still to come.
			id: HarbourLightsID, kind: kindShow, name: "Harbour Lights", year: harbour.Year(),
			overview: "When a lighthouse keeper's logbook washes ashore forty years after she vanished, a Cornish fishing village is forced to reopen an old case.",
			genres:   []string{"Drama", "Mystery"},
			runtime:  50, country: "GB", network: "Channel 4",
			airs:    &airs{Day: "Sunday", Time: "09:00 PM", Timezone: "Europe/London"},
			status:  "airing",
			seasons: []season{{number: 1, count: 8, date: weekly(harbour)}},
			zone:    ny, episodeBase: 7_108_000,
		},
		{
			id: AttackOnTitanID, kind: kindAnime, name: "Shingeki no Kyojin", enTitle: "Attack on Titan", year: 2013,
			slug: "attack-on-titan", animeType: "tv",
			ids: map[string]string{"mal": "16498", "anilist": "16498", "anidb": "9541", "kitsu": "7442",
				"imdb": "tt2560140", "tvdb": "267440", "tmdb": "1429", "animeplanet": "attack-on-titan"},
			overview: "Humanity hides behind enormous walls from man-eating giants, until the day a colossal Titan breaks through and young Eren Yeager swears to wipe them out.",
			genres:   []string{"Action", "Drama", "Fantasy"},
			runtime:  24, cert: "R", country: "JP", network: "MBS",
			airs:   &airs{Day: "Sunday", Time: "01:58 AM", Timezone: "Asia/Tokyo"},
			status: "ended", rank: 12, rating: 8.7, votes: 12400, imdbRate: 9.1, imdbVote: 620000,
			// A trailer without a name, as in real anime records.
			trailers: []trailer{{YouTube: "LHtdKWJdif4", Size: 720}},
			altTitles: []altTitle{
				{Name: "進撃の巨人", Lang: 25, Type: "official"}, {Name: "Attack on Titan", Lang: 7, Type: "official"},
				{Name: "Атака титанов", Lang: 22, Type: "synonym"}, {Name: "SnK", Lang: 7, Type: "short"}, {Name: "AoT", Lang: 7, Type: "short"},
			},
			seasons: []season{{number: 1, count: 25, date: weekly(j(2013, time.April, 7))}},
			// Anime specials are numbered from 1 again, so their numbers
			// collide with regular episodes' (as in the recorded list).
			specials: []special{
				{name: "Since That Day", date: j(2013, time.July, 7), noImage: true},
				{name: "Picture Drama 1", date: j(2013, time.July, 17)},
				{name: "Picture Drama 2", date: j(2013, time.August, 21)},
			},
			zone: jp, episodeBase: 7_110_000,
		},
		{
			// en_title is null, as in Simkl's own record of One Piece.
			id: OnePieceID, kind: kindAnime, name: "One Piece", year: 1999, animeType: "tv",
			ids: map[string]string{"mal": "21", "anilist": "21", "kitsu": "12", "anidb": "69", "animeplanet": "one-piece",
				"livechart": "321", "anisearch": "2227", "crunchyroll": "GRMG8ZQZR",
				"imdb": "tt0388629", "tvdb": "81797", "tmdb": "37854"},
			// Real anime overviews carry <br> line breaks.
			overview: "Monkey D. Luffy, whose body stretches like rubber, gathers a crew of misfits and sails the Grand Line in search of the legendary treasure One Piece.<br><br>Based on the manga by Eiichiro Oda.",
			genres:   []string{"Action", "Adventure", "Comedy", "Fantasy"},
			runtime:  24, cert: "PG-13", country: "JP", network: "Fuji TV",
			airs:   &airs{Day: "Sunday", Time: "11:15 PM", Timezone: "Asia/Tokyo"},
			status: "airing", rank: 30, rating: 8.8, votes: 9700, imdbRate: 9.0, imdbVote: 260000,
			altTitles: []altTitle{
				{Name: "ONE PIECE", Lang: 25, Type: "official"}, {Name: "ワンピース", Lang: 25, Type: "official"},
				{Name: "Ван-Пис", Lang: 22, Type: "synonym"}, {Name: "OP", Lang: 7, Type: "short"},
			},
			seasons: []season{{number: 1, count: OnePieceEpisodes, date: onePieceDate}},
			zone:    jp, episodeBase: 7_112_000,
			episodeName: map[[2]int]string{{1, 1}: "I'm Luffy! The Man Who Will Become the Pirate King!"},
		},
		{
			id: DemonSlayerID, kind: kindAnime, name: "Kimetsu no Yaiba", enTitle: "Demon Slayer: Kimetsu no Yaiba", year: 2019, animeType: "tv",
			ids: map[string]string{"mal": "38000", "anilist": "101922", "anidb": "14116", "kitsu": "41370",
				"crunchyroll": "GY5P48XEY", "animeplanet": "demon-slayer-kimetsu-no-yaiba",
				"imdb": "tt9335498", "tvdb": "348545", "tmdb": "85937"},
			overview: "After demons slaughter his family and turn his sister into one of them, Tanjiro Kamado trains as a demon slayer to cure her and avenge the rest.",
			genres:   []string{"Action", "Fantasy", "Drama"},
			// certification is null, as in many real anime records.
			runtime: 24, country: "JP", network: "Tokyo MX",
			airs:   &airs{Day: "Saturday", Time: "11:30 PM", Timezone: "Asia/Tokyo"},
			status: "ended", rank: 25, rating: 8.5, votes: 8800, imdbRate: 8.6, imdbVote: 180000,
			altTitles: []altTitle{
				{Name: "鬼滅の刃", Lang: 25, Type: "official"}, {Name: "Demon Slayer: Kimetsu no Yaiba", Lang: 7, Type: "official"},
				{Name: "Demon Slayer", Lang: 7, Type: "synonym"},
			},
			seasons: []season{{number: 1, count: 26, date: weekly(j(2019, time.April, 6))}},
			zone:    jp, episodeBase: 7_114_000,
		},
		{
			id: YourNameID, kind: kindAnime, name: "Kimi no Na wa.", enTitle: "Your Name.", year: 2016, animeType: "movie",
			ids: map[string]string{"mal": "32281", "anilist": "21519", "anidb": "11829", "kitsu": "11614",
				"imdb": "tt5311514", "tmdb": "372058"},
			overview: "A schoolgirl in a mountain town and a boy in Tokyo start waking up in each other's bodies, and try to meet before a comet changes everything.",
			genres:   []string{"Romance", "Drama", "Fantasy"},
			runtime:  106, cert: "PG", country: "JP",
			status: "ended", rank: 90, rating: 8.6, votes: 7100, imdbRate: 8.4, imdbVote: 320000,
			seasons: []season{{number: 1, count: 1, date: func(int) time.Time { return j(2016, time.August, 26) }}},
			zone:    jp, episodeBase: 7_116_000,
		},
	}
}

// finishTitles fills in what is derived: slugs and image paths.
func finishTitles(ts []*title) []*title {
	for _, t := range ts {
		if t.slug == "" {
			t.slug = slugify(t.name)
		}
		if t.poster == "" {
			t.poster = hexPath("poster", t.id)
		}
		if t.fanart == "" && !t.noFanart {
			t.fanart = hexPath("fanart", t.id)
		}
	}
	return ts
}
