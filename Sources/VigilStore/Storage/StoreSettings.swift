/// Keys of the integer settings a store keeps (``EventStore/setting(_:)``, ``StoreUpdate/setting(key:value:)``).
public enum StoreSettings {
    /// The log position of the latest backfill: recovery from an older snapshot must rebuild from the base.
    public static let rebuildSequence = "rebuild_seq"
}
