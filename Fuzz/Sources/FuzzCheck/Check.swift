/// A fuzz target's own check: unlike `precondition`, it keeps its message in a release build, so the crash log
/// says which promise an input broke.
public func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
