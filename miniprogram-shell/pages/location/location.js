// Opens WeChat's map at a point the web page passes: ?lat=&lng=&name=&address=
Component({
  data: { message: '正在打开地图…' },
  methods: {
    onLoad(options) {
      const latitude = Number(options && options.lat);
      const longitude = Number(options && options.lng);
      if (!isFinite(latitude) || !isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        this.setData({ message: '位置信息无效' });
        return;
      }
      wx.openLocation({
        latitude,
        longitude,
        name: decodeURIComponent((options && options.name) || ''),
        address: decodeURIComponent((options && options.address) || ''),
        scale: 18,
        fail: () => this.setData({ message: '无法打开地图' }),
      });
    },
  },
});
