// simklink share tools: loaded only inside the copy-and-share frame, which
// a visitor opens by pressing "Copy or share…". Copy puts the title's short
// link on the clipboard; Share opens the system share sheet where there is
// one (phones).
(function () {
  "use strict";
  var root = document.querySelector("[data-share-url]");
  if (!root) return;
  var url = root.getAttribute("data-share-url");
  var title = root.getAttribute("data-share-title") || document.title;
  var status = document.getElementById("share-status");
  function say(msg) { if (status) status.textContent = msg; }
  var copy = document.getElementById("share-copy");
  if (copy) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () { say("Link copied."); },
          function () { say("Copy did not work here: select the link and copy it."); });
      } else {
        say("Select the link and copy it.");
      }
    });
  }
  var share = document.getElementById("share-native");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: title, url: url }).catch(function () {});
    });
  }
})();
