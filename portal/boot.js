/* boot.js - runs synchronously in <head>, before the first paint:
 * takes ?token= and ?theme= out of the address bar (the token is kept in
 * sessionStorage for this tab only), picks the theme and applies the brand
 * colour and favicon so the page never flashes the wrong look. The app
 * (app.js, an ES module) starts afterwards. */
(function () {
  'use strict';
  var C = window.PORTAL_CONFIGS || {};
  var TOKEN_KEY = 'hookpost.portal.token';
  var THEME_KEY = 'hookpost.portal.theme';
  var memory = {};

  function store(key, value) {
    try {
      if (value === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch (e) { /* storage blocked: keep it in memory for this page */ }
    if (value === null) delete memory[key];
    else memory[key] = value;
  }
  function load(key) {
    try {
      var v = sessionStorage.getItem(key);
      if (v !== null) return v;
    } catch (e) { /* fall through */ }
    return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
  }

  // 1. Session token and theme from the URL.
  try {
    var url = new URL(window.location.href);
    var token = url.searchParams.get('token');
    var theme = url.searchParams.get('theme');
    if (token !== null || theme !== null) {
      if (token) {
        store(TOKEN_KEY, token);
        store(THEME_KEY, null); // a new session starts from the link's theme
      }
      if (theme === 'light' || theme === 'dark') store(THEME_KEY, theme);
      url.searchParams.delete('token');
      url.searchParams.delete('theme');
      var q = url.searchParams.toString();
      window.history.replaceState(window.history.state, '', url.pathname + (q ? '?' + q : '') + url.hash);
    }
  } catch (e) { /* malformed URL: nothing to take */ }

  // 2. Theme: PORTAL_FORCE_THEME > this session's choice (?theme= or the
  //    toggle) > the operating system's preference.
  var forced = C.FORCE_THEME === 'light' || C.FORCE_THEME === 'dark' ? C.FORCE_THEME : null;
  var media = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var listeners = [];

  function resolve() {
    if (forced) return forced;
    var chosen = load(THEME_KEY);
    if (chosen === 'light' || chosen === 'dark') return chosen;
    return media && media.matches ? 'dark' : 'light';
  }
  function apply() {
    var t = resolve();
    document.documentElement.setAttribute('data-theme', t);
    for (var i = 0; i < listeners.length; i++) listeners[i](t);
    return t;
  }
  if (media && media.addEventListener) media.addEventListener('change', apply);
  apply();

  // 3. Brand colour: --brand plus a readable text colour on top of it.
  var brand = typeof C.BRAND_COLOR === 'string' ? C.BRAND_COLOR.trim() : '';
  if (brand && window.CSS && CSS.supports('color', brand)) {
    var root = document.documentElement.style;
    root.setProperty('--brand', brand);
    var rgb = toRgb(brand);
    if (rgb) {
      var lum = luminance(rgb);
      // WCAG contrast against white vs near-black; pick the better one.
      var onWhite = 1.05 / (lum + 0.05);
      var onDark = (lum + 0.05) / 0.0601;
      root.setProperty('--brand-contrast', onWhite >= onDark ? '#ffffff' : '#111114');
      // A light brand colour needs a darker shade for links on light
      // surfaces, a dark one a lighter shade on dark surfaces.
      if (lum > 0.4) document.documentElement.setAttribute('data-brand-light', '');
      if (lum < 0.035) document.documentElement.setAttribute('data-brand-dark', '');
    }
  }

  // 4. Favicon.
  if (typeof C.FAVICON_URL === 'string' && C.FAVICON_URL) {
    var link = document.getElementById('favicon');
    if (link) {
      link.removeAttribute('type');
      link.setAttribute('href', C.FAVICON_URL);
    }
  }

  function toRgb(color) {
    try {
      var ctx = document.createElement('canvas').getContext('2d');
      if (!ctx) return null;
      ctx.fillStyle = '#000';
      ctx.fillStyle = color;
      var s = ctx.fillStyle;
      if (s.charAt(0) === '#') {
        return [parseInt(s.slice(1, 3), 16), parseInt(s.slice(3, 5), 16), parseInt(s.slice(5, 7), 16)];
      }
      var m = s.match(/(\d+(\.\d+)?)/g);
      return m && m.length >= 3 ? [+m[0], +m[1], +m[2]] : null;
    } catch (e) {
      return null;
    }
  }
  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  window.HookpostBoot = {
    tokenKey: TOKEN_KEY,
    getToken: function () { return load(TOKEN_KEY); },
    clearToken: function () { store(TOKEN_KEY, null); },
    theme: resolve,
    themeForced: !!forced,
    setTheme: function (t) { store(THEME_KEY, t === 'dark' ? 'dark' : 'light'); return apply(); },
    onTheme: function (fn) { listeners.push(fn); },
  };
})();
