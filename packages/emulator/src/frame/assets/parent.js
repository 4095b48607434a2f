// The portal's side of an app frame: posts the launch form into the iframe and answers the frame
// library's commands. Message format (the platform's BX24.js and the official @bitrix24/b24jssdk alike):
// the frame sends "command:params:callback:APP_SID" (params JSON or empty; the SDK drops an empty one:
// "command:callback:APP_SID") to the portal's origin, and gets "callback:result-JSON" back at the app's
// origin. A message from another window or origin, or naming another APP_SID, is refused and logged.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('frame-data').textContent);
  var frame = document.getElementById('app-frame');
  var list = document.querySelector('#frame-log ol');
  var count = document.getElementById('log-count');
  var title = document.getElementById('frame-title');
  var finishing = false;

  function note(status, text) {
    var li = document.createElement('li');
    li.setAttribute('data-status', status);
    li.textContent = text;
    list.appendChild(li);
    count.textContent = String(list.children.length);
  }

  function parse(raw) {
    if (raw !== null && typeof raw === 'object') {
      // The SDK's object form, for commands whose name holds a colon.
      return { command: String(raw.method || ''), params: raw.params || null, callback: String(raw.callback || ''), appSid: String(raw.appSid || '') };
    }
    if (typeof raw !== 'string') return null;
    var parts = raw.split(':');
    if (parts.length < 3) return null;
    var text = parts.slice(1, -2).join(':');
    var params = null;
    if (text !== '') {
      try { params = JSON.parse(text); } catch (e) { return null; }
    }
    return { command: parts[0], params: params, callback: parts[parts.length - 2], appSid: parts[parts.length - 1] };
  }

  function api(name) {
    return fetch(data.api + name, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appSid: data.appSid }),
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error_description || j.error || ('HTTP ' + r.status));
        return j.result;
      });
    });
  }

  var handlers = {
    getInitData: function () { return data.init; },
    setInstall: function () { return undefined; },
    setInstallFinish: function () {
      // Outside the install page the call has no effect (DOC sdk/bx24-js-sdk/system-functions/bx24-install-finish.md).
      if (!data.init.INSTALL || finishing) return undefined;
      finishing = true;
      return api('finish').then(function (done) {
        if (!done) return;
        title.textContent = 'Installation finished';
        note('ok', 'installation finished: the portal reloads and opens the application');
        // "If called by the installer, the page reloads and the application starts."
        setTimeout(function () { location.reload(); }, 0);
      });
    },
    refreshAuth: function () {
      return api('refresh').then(function (auth) {
        data.init.AUTH_ID = auth.AUTH_ID;
        data.init.REFRESH_ID = auth.REFRESH_ID;
        return auth;
      });
    },
    resizeWindow: function (p) {
      var h = parseInt(p && p.height, 10);
      if (h > 0) frame.style.height = Math.max(120, Math.min(h, 4000)) + 'px';
      return undefined;
    },
    setTitle: function (p) {
      title.textContent = String((p && p.title) || '');
      return undefined;
    },
  };

  window.addEventListener('message', function (e) {
    if (e.source !== frame.contentWindow) return note('rejected', 'refused: a message from outside the app frame (' + e.origin + ')');
    if (e.origin !== data.appOrigin) return note('rejected', 'refused: origin ' + e.origin + ' is not the app\'s ' + data.appOrigin);
    var m = parse(e.data);
    if (m === null) return note('rejected', 'refused: not a frame command');
    if (m.appSid !== data.appSid) return note('rejected', 'refused: ' + m.command + ' for APP_SID ' + m.appSid + ', this frame is ' + data.appSid);
    var handler = Object.prototype.hasOwnProperty.call(handlers, m.command) ? handlers[m.command] : null;
    if (handler === null) return note('ignored', m.command + ': not supported by the emulator');
    Promise.resolve().then(function () { return handler(m.params); }).then(function (result) {
      note('ok', m.command);
      if (m.callback) frame.contentWindow.postMessage(m.callback + ':' + (result === undefined ? '' : JSON.stringify(result)), data.appOrigin);
    }, function (err) {
      note('error', m.command + ' failed: ' + (err && err.message ? err.message : String(err)));
    });
  });

  document.getElementById('launch').submit();
})();
