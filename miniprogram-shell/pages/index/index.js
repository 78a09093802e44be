// The web-view page. On launch: wx.login → server login → one-time ticket → the web page,
// signed in. A shared link carries the page path in `path`, so the friend lands on it.
const api = require('../../utils/api.js');

Component({
  data: { src: '', failed: false, message: '', next: '/' },
  methods: {
    onLoad(options) {
      const next = options && options.path ? decodeURIComponent(options.path) : '/';
      this.setData({ next: next.charAt(0) === '/' ? next : '/' });
      return this.start();
    },
    async start() {
      this.setData({ failed: false, message: '' });
      try {
        const ticket = await api.login();
        this.setData({ src: api.ticketUrl(ticket, this.data.next) });
      } catch (err) {
        this.setData({ failed: true, message: err.message });
      }
    },
    retry() {
      return this.start();
    },
    onShareAppMessage(options) {
      const path = api.pathOf(options && options.webViewUrl);
      return { title: '校园助手', path: '/pages/index/index?path=' + encodeURIComponent(path) };
    },
  },
});
