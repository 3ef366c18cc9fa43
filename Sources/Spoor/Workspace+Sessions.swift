import SpoorCore
import SpoorDetectors
import SpoorEvents

extension Workspace {
    /// The logon-session timeline of the case: who was logged on where, and when (see
    /// ``SessionTimeline``), built from every event in the case.
    public func sessionTimeline(policy: SessionPolicy = SessionPolicy()) async throws -> SessionTimeline {
        SessionTimeline(try await events(), policy: policy)
    }
}
