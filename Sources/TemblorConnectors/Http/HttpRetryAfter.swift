#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a `Retry-After` header: delay-seconds (`120`) or an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), as the delay from `now` (seconds since the epoch).
enum HttpRetryAfter {
    /// The longest wait a server may ask for; a larger one is taken as this.
    static let longest: Duration = .seconds(300)

    static func delay(_ header: String?, now: Int = Int(time(nil))) -> Duration? {
        guard let header else { return nil }
        let text = header.split(separator: " ", omittingEmptySubsequences: true)
        if text.count == 1, let seconds = Int(text[0]), seconds >= 0 {
            return min(.seconds(seconds), longest)
        }
        // Sun, 06 Nov 1994 08:49:37 GMT
        guard text.count == 6, text[5] == "GMT", let day = Int(text[1]), let year = Int(text[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(of: String(text[2])) else { return nil }
        let clock = text[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let at = Int(timegm(&parts))
        return min(.seconds(max(at - now, 0)), longest)
    }
}
