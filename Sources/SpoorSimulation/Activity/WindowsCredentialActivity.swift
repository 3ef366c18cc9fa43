import SpoorCore

/// Stale credentials: what most failed logons in a Windows domain are.
///
/// After a password change the old password lives on where it was saved: a persistent drive
/// mapping on the user's second device, a scheduled task that runs as the user, a service or
/// poller that runs as a service account. Microsoft lists exactly these as the usual causes of
/// repeated failures and lockouts: applications with cached credentials, users signed in to
/// several computers, service accounts whose password changed, persistent drive mappings
/// ("Troubleshoot locked accounts in Windows clients", Microsoft Learn; the same list in
/// Microsoft's "Account Lockout and Management Tools" guide). Because the DC does not count a
/// bad password that matches one of the two previous ones against the lockout threshold
/// ("password history check", N-2; Microsoft, "Account lockout threshold" and the Kerberos
/// and NTLM behaviour since Windows Server 2003 SP1), such a source fails quietly for weeks,
/// without locking the account, until somebody notices it.
///
/// Each failure is a 4625 on the server (or workstation) that was asked and the DC's 4776
/// (NTLM) or 4771 (Kerberos pre-authentication, 0x18), with the status codes of a bad password
/// (4625 0xC000006D/0xC000006A, 4776 0xC000006A; Microsoft, "4625(F)", "4776(S, F)", "4771(F)").
extension WindowsActivity.Generator {
    enum StaleKind: CaseIterable { case mappedDrive, scheduledTask, servicePoller }

    struct StaleSource {
        var kind: StaleKind
        var account: SimUser
        /// The user's own workstation (the task runs there; the drive mapping's device is another).
        var workstation: SimHost?
        /// The device that keeps the old password: its name and address.
        var device: String
        var deviceIP: String
        /// Seconds into the window: from when, until when (fixed or the window's end).
        var from: Double
        var until: Double
        /// Mean seconds between retries; attempts per retry.
        var period: Double
        var burst: Int
        /// Retries only while the device is on (a laptop: its owner's working hours).
        var officeHours: Bool
    }

    /// The sources of one run, drawn at the start: each person has a device or task with an
    /// old password with probability 0.2 (a password changed in the last 90-day cycle whose
    /// stale copy has not been found yet, see above), each service account's poller with 0.15;
    /// one in three sources is fixed during the window (after 1–3 days).
    func staleSources(_ rng: inout SplitMix64) -> [StaleSource] {
        let window = Double(context.config.days) * 86_400
        var out: [StaleSource] = []
        let vpn = Self.clientAddressPrefix(client, third: 9)
        for user in client.people where rng.chance(0.2) {
            let ws = client.workstations.first { $0.owner == user.name }
            let fixed = rng.chance(1.0 / 3)
            let until = fixed ? min(window, 86_400 * (1 + 2 * rng.unit())) : window
            if ws != nil, rng.chance(0.35) {
                // A task the user set up with "Run whether user is logged on or not" (the
                // password stored with the task): hourly, or every 30 minutes.
                out.append(StaleSource(kind: .scheduledTask, account: user, workstation: ws, device: ws?.name ?? "-", deviceIP: ws?.ip.description ?? "-",
                                       from: 0, until: until, period: rng.chance(0.5) ? 3_600 : 1_800, burst: 1, officeHours: false))
            } else {
                // A second device with a persistent mapping to the file server: a personal
                // laptop (Windows' default DESKTOP-XXXXXXX name) on the Wi-Fi/VPN range.
                let name = "DESKTOP-" + String((0..<7).map { _ in Self.nameAlphabet[rng.below(Self.nameAlphabet.count)] })
                out.append(StaleSource(kind: .mappedDrive, account: user, workstation: ws, device: name, deviceIP: vpn + String(20 + rng.below(200)),
                                       from: 0, until: until, period: 300 + rng.exponential(mean: 600), burst: 1 + rng.below(3), officeHours: rng.chance(0.6)))
            }
        }
        for svc in client.users where svc.role == .service && rng.chance(0.15) {
            guard let poller = client.hosts(.backupServer).first ?? client.hosts.first(where: { $0.os == .linux }) else { continue }
            out.append(StaleSource(kind: .servicePoller, account: svc, workstation: nil, device: poller.name.uppercased(), deviceIP: poller.ip.description,
                                   from: 0, until: rng.chance(1.0 / 3) ? min(window, 86_400 * (1 + 2 * rng.unit())) : window,
                                   period: rng.pick([300.0, 600, 900]), burst: 1 + rng.below(2), officeHours: false))
        }
        return out
    }

    /// The failures of `sources` on `day`.
    func staleFailures(_ sources: [StaleSource], day: Int, _ rec: inout WindowsRecorder) {
        for source in sources {
            // The Task Scheduler service that asks for the task's logon (its process for the day).
            let scheduler = source.workstation.map { ws in
                (rec.existing(.svchost, on: ws, logon: WinLogon.system(ws, client), commandLine: "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", at: t(day, 0)),
                 WinLogon.system(ws, client))
            }
            var s = rec.rng.unit() * source.period
            while s < 86_400 {
                let window = Double(day) * 86_400 + s
                defer { s += source.kind == .mappedDrive ? 60 + rec.rng.exponential(mean: source.period) : source.period + rec.rng.unit() * 30 }
                guard window >= source.from, window < source.until else { continue }
                let now = t(day, s)
                if source.officeHours, !client.isWorking(source.account, at: now) { continue }
                var at = now
                for _ in 0..<source.burst {
                    switch source.kind {
                    case .mappedDrive:
                        rec.failedLogon(source.account.name, type: 3, on: fs, at: at, sourceIP: source.deviceIP, workstation: source.device)
                        rec.ntlmValidation(source.account.name, workstation: source.device, on: dc, at: Self.plus(at, 0.01), status: "0xc000006a")
                    case .scheduledTask:
                        guard let ws = source.workstation, let scheduler else { break }
                        rec.preauthFailure(source.account.name, sid: source.account.sid, from: ws, on: dc, at: at)
                        rec.failedLogon(source.account.name, type: 4, on: ws, at: Self.plus(at, 0.02), sourceIP: "-", workstation: ws.name,
                                        subject: scheduler)
                    case .servicePoller:
                        let target = rec.rng.chance(0.5) ? fs : dc
                        rec.failedLogon(source.account.name, type: 3, on: target, at: at, sourceIP: source.deviceIP, workstation: source.device)
                        rec.ntlmValidation(source.account.name, workstation: source.device, on: dc, at: Self.plus(at, 0.01), status: "0xc000006a")
                    }
                    at = Self.plus(at, 0.5 + rec.rng.exponential(mean: 2))
                }
            }
        }
    }

    static let nameAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// `10.<n>.<third>.` in the client's block.
    static func clientAddressPrefix(_ client: SimClient, third: Int) -> String {
        let octets = client.network.address.description.split(separator: ".")
        guard octets.count == 4 else { return "10.0.\(third)." }
        return "\(octets[0]).\(octets[1]).\(third)."
    }
}
