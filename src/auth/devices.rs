//! Plain-Chinese names for where a session came from: the device and app from its user agent
//! ("iPhone · 微信"), the place from its address cut to a network ("127.0.0.x"), never the
//! whole address (the list is for recognising one's own devices, not for tracking).

/// "iPhone · 微信", "Windows 电脑 · Edge", "未知设备".
pub fn device_label(agent: &str) -> String {
    let has = |s: &str| agent.contains(s);
    let device = if has("iPhone") {
        Some("iPhone")
    } else if has("iPad") {
        Some("iPad")
    } else if has("HarmonyOS") || has("OpenHarmony") {
        Some("鸿蒙手机")
    } else if has("Android") {
        Some("安卓手机")
    } else if has("Windows") {
        Some("Windows 电脑")
    } else if has("Macintosh") || has("Mac OS X") {
        Some("Mac 电脑")
    } else if has("Linux") || has("X11") {
        Some("Linux 电脑")
    } else {
        None
    };
    let app = if has("miniProgram") || has("MiniProgramEnv") {
        Some("微信小程序")
    } else if has("MicroMessenger") {
        Some("微信")
    } else if has("QQ/") || has("MQQBrowser") {
        Some("QQ")
    } else if has("Edg/") {
        Some("Edge")
    } else if has("Firefox/") {
        Some("Firefox")
    } else if has("Chrome/") || has("CriOS/") {
        Some("Chrome")
    } else if has("Safari/") {
        Some("Safari")
    } else if has("curl/") || has("python") || has("reqwest") || has("ureq") {
        Some("程序访问")
    } else {
        None
    };
    match (device, app) {
        (Some(d), Some(a)) => format!("{d} · {a}"),
        (Some(d), None) => d.to_string(),
        (None, Some(a)) => format!("未知设备 · {a}"),
        (None, None) => "未知设备".into(),
    }
}

/// The network part of an address: "10.2.3.x" for IPv4, the first three groups for IPv6.
pub fn place_label(ip: &str) -> String {
    let ip = ip.trim();
    if let Ok(v4) = ip.parse::<std::net::Ipv4Addr>() {
        let [a, b, c, _] = v4.octets();
        return format!("{a}.{b}.{c}.x");
    }
    if let Ok(v6) = ip.parse::<std::net::Ipv6Addr>() {
        let s = v6.segments();
        return format!("{:x}:{:x}:{:x}::x", s[0], s[1], s[2]);
    }
    "未知位置".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_places_read_plainly() {
        let wechat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40";
        assert_eq!(device_label(wechat), "iPhone · 微信");
        assert_eq!(
            device_label(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0"
            ),
            "Windows 电脑 · Edge"
        );
        assert_eq!(device_label(""), "未知设备");
        assert_eq!(place_label("127.0.0.1"), "127.0.0.x");
        assert_eq!(place_label("2001:db8:1:2::5"), "2001:db8:1::x");
        assert_eq!(place_label("nonsense"), "未知位置");
    }
}
