// The shell keeps no state of its own beyond the short-lived API token (see utils/api.js).
App({});
