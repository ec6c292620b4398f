extension Engine {
    /// The number of shards; a snapshot keeps it (see ``EngineConfiguration/shards``).
    public var shardCount: Int { shards.count }

    /// The hash of an event id, as routing and the shards' join indexes use it.
    @inline(__always)
    func idHash(_ id: String) -> UInt64 { IdHash.hash(id, seed: configuration.hashSeed) }

    /// The shard of an id's hash. It reads bits 32–55, which neither the join table's slot (the low bits)
    /// nor its tag byte (the top 7 bits) use, so the ids within a shard still spread over every slot and tag.
    @inline(__always)
    func shardIndex(ofHash hash: UInt64) -> Int {
        shards.count == 1 ? 0 : Int((hash >> 32) & 0xFF_FFFF) % shards.count
    }

    /// Runs `body` on shard `k` with read access to the rest of the engine.
    ///
    /// The shard is moved out for the call (a placeholder stands in), so the shard can be changed in place
    /// while the engine it reads is not: `body` must not read `engine.shards[k]`.
    @inline(__always)
    mutating func onShard<Result, Failure: Error>(
        _ k: Int, _ body: (inout EngineShard, Engine) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var shard = EngineShard.placeholder
        swap(&shard, &shards[k])
        defer { swap(&shard, &shards[k]) }
        return try body(&shard, self)
    }

    /// Runs `body` on every shard through `run` (side by side with a runner that uses several threads), each
    /// task changing only its own shard and reading the rest of the engine.
    mutating func onEveryShard(
        run: ShardRunner, _ body: @escaping @Sendable (Int, inout EngineShard, Engine) -> Void
    ) {
        var working = shards
        shards = []
        do {
            let engine = self
            working.withUnsafeMutableBufferPointer { buffer in
                let target = ShardBuffer(buffer: buffer)
                run(target.buffer.count) { k in body(k, &target.buffer[k], engine) }
            }
        }
        shards = working
    }
}

/// The shards while a runner works on them: each task changes only its own shard.
private struct ShardBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<EngineShard>
}
