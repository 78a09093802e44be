// Subscribe messages: ask for the templates the server lists, report which were accepted.
// wx.requestSubscribeMessage needs a tap, hence the button.
const api = require('../../utils/api.js');

function ask(tmplIds) {
  return new Promise((resolve, reject) => {
    wx.requestSubscribeMessage({ tmplIds, success: resolve, fail: reject });
  });
}

Component({
  data: { templates: [], done: false, message: '订单发货、活动提醒、回复会通过微信通知你' },
  methods: {
    async onLoad() {
      try {
        const data = await api.call('GET', '/api/v1/wx/subscribe/templates');
        this.setData({ templates: data.template_ids || [] });
      } catch (err) {
        this.setData({ message: err.message });
      }
    },
    async ask() {
      try {
        const result = await ask(this.data.templates);
        const accepted = this.data.templates.filter((id) => result[id] === 'accept');
        await api.call('POST', '/api/v1/wx/subscribe', { accepted });
        this.setData({ done: true, message: accepted.length ? '已开启 ' + accepted.length + ' 项通知' : '你没有开启通知' });
        wx.navigateBack();
      } catch (err) {
        this.setData({ message: err.message || '没有完成订阅' });
      }
    },
  },
});
