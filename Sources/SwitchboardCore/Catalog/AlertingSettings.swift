/// The `alerting:` section of `switchboard.yaml`: where alerts without a known team go, the
/// SMTP relay for email receivers, and the thresholds and timings of the rendered rules.
public struct AlertingSettings: Sendable, Equatable {
    public struct SMTP: Sendable, Equatable {
        public var smarthost: String
        public var from: String
        public var authUsername: String?
        /// A file holding the SMTP password (Alertmanager reads it itself).
        public var authPasswordFile: String?
    }

    /// Receivers for alerts whose team is unknown (and for cluster-wide alerts).
    public var defaultReceivers: [AlertReceiver] = []
    public var smtp: SMTP?
    /// How long a condition must hold before it alerts (Prometheus `for:`), e.g. 2m.
    public var forDuration: String = "2m"
    /// Sink lag (records) above which a growing lag alerts.
    public var lagThreshold: Int = 1000
    /// How long the lag must keep growing.
    public var lagFor: String = "10m"
    /// Alertmanager's grouping timings.
    public var groupWait: String = "30s"
    public var groupInterval: String = "5m"
    public var repeatInterval: String = "4h"

    public init() {}
}
