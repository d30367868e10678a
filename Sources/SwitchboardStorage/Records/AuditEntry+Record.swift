import GRDB
import SwitchboardAPI

/// An audit entry is stored as it is shown: one row of the table `audit` (SQLite).
extension AuditEntry: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "audit"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension AuditEntry.Outcome: DatabaseValueConvertible {}
