/// Field names the web access-log and W3C parsers write that ``Field`` does not list.
extension Field {
    /// The port in the request's URL or the virtual host's port (`%v:%p` of Apache's
    /// `vhost_combined`). ECS `url.port`.
    public static let urlPort = "url.port"
    /// The URL scheme of an absolute request target (`http` in `GET http://h/ HTTP/1.1`). ECS `url.scheme`.
    public static let urlScheme = "url.scheme"
    /// The request line as the server logged it, decoded, **only when it is not a well-formed
    /// `METHOD target [HTTP/x.y]`**: scanners' garbage, TLS handshakes sent to a plain-text port
    /// (`\x16\x03\x01…`), an RDP cookie, a lone word. ECS has no field for it; spoor's own name.
    /// A well-formed line is not stored twice: it is `http.request.method` + `url.original` +
    /// `http.version`.
    public static let httpRequestLine = "http.request.line"
    /// The `X-Forwarded-For` header's addresses, in order (client first), as a string list.
    /// ECS has no field for it; spoor's own name. Items are kept as written (`unknown` too).
    public static let httpRequestXForwardedFor = "http.request.x_forwarded_for"
    /// Trailing fields of an access log beyond the combined format that spoor could not name
    /// (nginx `$request_length`, Traefik's router name …), decoded, in order, as a string list.
    public static let accessExtra = "access.extra"
    /// The RFC 1413 identity (`%l`) when a server logged one (almost always `-`).
    public static let accessIdent = "access.ident"
}
