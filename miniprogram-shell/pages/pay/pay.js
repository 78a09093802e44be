// Native payment: the web-view cannot call wx.requestPayment, so the order page navigates
// here with ?order=NO. We ask the server for signed parameters, pay, and go back; the web
// page learns the result from the server (it polls the order).
const api = require('../../utils/api.js');

function requestPayment(params) {
  return new Promise((resolve, reject) => {
    wx.requestPayment({
      timeStamp: params.timeStamp,
      nonceStr: params.nonceStr,
      package: params.package,
      signType: params.signType,
      paySign: params.paySign,
      success: resolve,
      fail: reject,
    });
  });
}

Component({
  data: { order: '', status: 'paying', message: '' },
  methods: {
    onLoad(options) {
      this.setData({ order: (options && options.order) || '' });
      return this.pay();
    },
    async pay() {
      this.setData({ status: 'paying', message: '' });
      let params;
      try {
        params = await api.call('POST', '/api/v1/pay/prepay', { order_no: this.data.order });
      } catch (err) {
        this.setData({ status: 'failed', message: err.message });
        return;
      }
      try {
        await requestPayment(params);
        this.setData({ status: 'paid' });
        wx.navigateBack();
      } catch (err) {
        if (err && err.errMsg && err.errMsg.indexOf('cancel') >= 0) {
          this.setData({ status: 'cancelled' });
          wx.navigateBack();
        } else {
          this.setData({ status: 'failed', message: '支付没有完成，请重试' });
        }
      }
    },
    retry() {
      return this.pay();
    },
    back() {
      wx.navigateBack();
    },
  },
});
