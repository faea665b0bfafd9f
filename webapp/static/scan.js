// The scan page's camera (/scan is the only page that loads this script and the QR reader).
// qr-scanner (webapp/static/vendor/qr-scanner, MIT) reads the stop's QR code in the browser; a code of this
// platform (http(s)://<one of our hosts>/s/<token>) opens that stop's check-in page on this site. Anything
// else gets a message and the camera keeps looking. Without this script the page still works: the form
// "type the code under the QR code" does the same on the server.

const STOP_PATH = /^\/s\/([A-Za-z0-9_-]{1,64})\/?$/;

const box = document.querySelector(".scan-camera");
if (box) {
  setUp(box);
}

function setUp(box) {
  const video = box.querySelector(".scan-video");
  const button = box.querySelector(".scan-start");
  const status = box.querySelector(".scan-status");
  const hosts = (box.dataset.hosts || "").split(" ").filter(Boolean);
  const say = (text) => { status.textContent = text; };
  let scanner = null;
  let lastRefused = "";

  box.hidden = false;
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    button.hidden = true;
    say(box.dataset.msgInsecure);
    return;
  }

  async function open() {
    button.disabled = true;
    try {
      const { default: QrScanner } = await import(box.dataset.reader);
      video.hidden = false;  // shown before the reader takes it: Safari stops a hidden video
      scanner = scanner || new QrScanner(video, found, {
        returnDetailedScanResult: true,
        preferredCamera: "environment",
        maxScansPerSecond: 8,
      });
      await scanner.start();
      button.hidden = true;
      say(box.dataset.msgLooking);
    } catch (error) {
      video.hidden = true;
      button.disabled = false;
      say(box.dataset.msgDenied);
    }
  }

  function found(result) {
    const path = stopPath(result.data);
    if (path) {
      scanner.stop();
      say(box.dataset.msgOpening);
      window.location.assign(path);
    } else if (result.data !== lastRefused) {
      lastRefused = result.data;
      say(box.dataset.msgNotOurs);
    }
  }

  function stopPath(text) {
    let url;
    try {
      url = new URL(String(text).trim());
    } catch (error) {
      return null;
    }
    if (!["http:", "https:"].includes(url.protocol) || !hosts.includes(url.host)) {
      return null;
    }
    const match = STOP_PATH.exec(url.pathname);
    return match ? box.dataset.checkin.replace("TOKEN", match[1]) : null;
  }

  button.addEventListener("click", open);
  // Let go of the camera when the page is left or hidden; take it again when it comes back.
  document.addEventListener("visibilitychange", () => {
    if (!scanner || button.hidden === false) {
      return;
    }
    if (document.hidden) {
      scanner.stop();
    } else {
      scanner.start().catch(() => say(box.dataset.msgDenied));
    }
  });
  window.addEventListener("pagehide", () => scanner && scanner.stop());
  // Open at once when the resident already allowed the camera for this site.
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "camera" })
      .then((state) => { if (state.state === "granted") { open(); } })
      .catch(() => {});
  }
}
