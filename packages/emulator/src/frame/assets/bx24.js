// A BX24.js-compatible frame library, served by the Bitrix24 emulator at /api/v1/ (the platform serves
// its own at //api.bitrix24.tech/api/v1/, DOC sdk/bx24-js-sdk/index.md). It covers the functions an app
// needs to run in the portal's frame: init, installFinish, getAuth, refreshAuth, fitWindow, resizeWindow,
// setTitle, isAdmin, getLang, getDomain, placement.info. REST calls (callMethod) are not part of it.
// Protocol, as the platform's library and the official SDK speak it: the portal names the iframe
// "DOMAIN|PROTOCOL|APP_SID"; commands go to the parent as "command:params:callback:APP_SID" with the
// portal's origin as target; answers come back as "callback:JSON" and are accepted from that origin only.
(function () {
  'use strict';
  if (window.BX24) return;
  var name = String(window.name || '').split('|');
  var domain = (name[0] || '').replace(/:(80|443)$/, '');
  var secure = parseInt(name[1], 10) === 1;
  var appSid = name[2] || '';
  var portalOrigin = (secure ? 'https' : 'http') + '://' + domain;
  var callbacks = {};
  var seq = 0;
  var init = null;
  var expiresAt = 0;
  var waiting = [];

  function send(command, params, callback) {
    var id = '';
    if (typeof callback === 'function') {
      id = 'cb' + (++seq) + Math.random().toString(36).slice(2, 10);
      callbacks[id] = callback;
    }
    var message = command + ':' + (params ? JSON.stringify(params) : '') + ':' + id + (appSid ? ':' + appSid : '');
    window.parent.postMessage(message, portalOrigin);
  }

  window.addEventListener('message', function (e) {
    if (e.origin !== portalOrigin || typeof e.data !== 'string') return;
    var at = e.data.indexOf(':');
    var id = at < 0 ? e.data : e.data.slice(0, at);
    var payload = at < 0 ? '' : e.data.slice(at + 1);
    var callback = Object.prototype.hasOwnProperty.call(callbacks, id) ? callbacks[id] : null;
    if (callback === null) return;
    delete callbacks[id];
    callback(payload === '' ? undefined : JSON.parse(payload));
  });

  function later(fn) {
    setTimeout(function () { fn.call(document); }, 0);
  }

  var BX24 = {
    init: function (fn) {
      if (typeof fn !== 'function') return;
      if (init === null) waiting.push(fn);
      else later(fn);
    },
    installFinish: function () {
      // Only the install page finishes anything (DOC sdk/bx24-js-sdk/system-functions/bx24-install-finish.md).
      if (init !== null && init.INSTALL) send('setInstallFinish', {});
    },
    isAdmin: function () { return init !== null && !!init.IS_ADMIN; },
    getLang: function () { return init === null ? '' : init.LANG; },
    getDomain: function () { return domain; },
    getAuth: function () {
      if (init === null || expiresAt <= Date.now()) return false;
      return { access_token: init.AUTH_ID, refresh_token: init.REFRESH_ID, expires_in: expiresAt, domain: domain, member_id: init.MEMBER_ID };
    },
    refreshAuth: function (fn) {
      send('refreshAuth', {}, function (auth) {
        init.AUTH_ID = auth.AUTH_ID;
        init.REFRESH_ID = auth.REFRESH_ID;
        expiresAt = Date.now() + Number(auth.AUTH_EXPIRES) * 1000;
        if (typeof fn === 'function') fn(BX24.getAuth());
      });
    },
    getScrollSize: function () {
      var d = document.documentElement;
      return { scrollWidth: Math.max(d.scrollWidth, d.offsetWidth), scrollHeight: Math.max(d.scrollHeight, d.offsetHeight) };
    },
    fitWindow: function (fn) {
      send('resizeWindow', { width: '100%', height: BX24.getScrollSize().scrollHeight }, fn);
    },
    resizeWindow: function (width, height, fn) {
      width = parseInt(width, 10);
      height = parseInt(height, 10);
      if (width > 0 && height > 0) send('resizeWindow', { width: width, height: height }, fn);
    },
    setTitle: function (title, fn) { send('setTitle', { title: String(title) }, fn); },
    placement: {
      info: function () { return init === null ? {} : { placement: init.PLACEMENT, options: init.PLACEMENT_OPTIONS || {} }; },
    },
  };
  window.BX24 = BX24;

  send('getInitData', null, function (data) {
    init = data;
    expiresAt = Date.now() + Number(data.AUTH_EXPIRES) * 1000;
    var fns = waiting;
    waiting = [];
    for (var i = 0; i < fns.length; i++) later(fns[i]);
  });
})();
