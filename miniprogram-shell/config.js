// The one place to point the shell at a server. It must be an https domain listed as the
// mini-program's 业务域名 (web-view) and request 合法域名 (wx.request).
module.exports = {
  baseUrl: 'https://campus.example.edu',
};
