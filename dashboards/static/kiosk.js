// The clinic tablet's idle return (docs/kiosk.md). After data-idle-seconds without a touch, a key
// or a scroll, the tablet goes back to the code screen with location.replace, so the page left
// is not added to the history. While the patient is active it tells the server now and then
// (data-alive), whose own idle limit would otherwise end the patient part; a 410 means it has.
// A page restored from the back-forward cache is fetched again, and the server decides what it shows.
// Loaded (deferred) on every page of a kiosk device, from templates/kiosk/_device.html.
(() => {
  const me = document.currentScript;
  const idle = Number(me.dataset.idleSeconds) * 1000;
  const home = me.dataset.home;
  const alive = me.dataset.alive;
  const pingEvery = Math.min(20000, idle / 3);
  let timer = 0;
  let pinged = Date.now();

  const ping = () => {
    pinged = Date.now();
    fetch(alive, { credentials: "same-origin", cache: "no-store" })
      .then((answer) => { if (answer.status === 410) location.replace(home); })
      .catch(() => {});
  };
  const awake = () => {
    clearTimeout(timer);
    timer = setTimeout(() => location.replace(home), idle);
    if (alive && Date.now() - pinged >= pingEvery) ping();
  };
  for (const type of ["pointerdown", "keydown", "input", "scroll", "touchstart"]) {
    addEventListener(type, awake, { capture: true, passive: true });
  }
  addEventListener("pageshow", (event) => { if (event.persisted) location.reload(); });
  // The QR code of a code (/kiosk#code=K7M3QX) fills in the code screen, also when it is opened
  // over the code screen itself (only the fragment changes); the code leaves the address at once.
  const fill = () => {
    const typed = /^#code=([A-Za-z0-9 -]{1,16})$/.exec(location.hash);
    const field = document.getElementById("code");
    if (typed && field) {
      field.value = typed[1];
      history.replaceState(null, "", location.pathname);
      awake();  // a scanned code is activity: the idle return must not reload it away
    }
  };
  addEventListener("hashchange", fill);
  fill();
  awake();
})();
