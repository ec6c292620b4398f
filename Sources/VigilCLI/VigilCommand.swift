import ArgumentParser
public struct VigilCommand: AsyncParsableCommand { public init() {} }
