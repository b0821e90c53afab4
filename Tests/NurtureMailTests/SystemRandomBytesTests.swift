import Testing

@testable import NurtureMail

struct SystemRandomBytesTests {
    @Test(arguments: [0, 1, 7, 8, 9, 15, 20, 35])
    func givesExactlyTheBytesAskedFor(_ count: Int) {
        #expect(SystemRandomBytes().randomBytes(count: count).count == count)
    }

    /// 160 bits drawn twice: equal only if the generator is broken (or repeats its eight-byte words).
    @Test func twoDrawsDifferAndNoWordRepeats() {
        let first = SystemRandomBytes().randomBytes(count: 20)
        let second = SystemRandomBytes().randomBytes(count: 20)
        #expect(first != second)
        #expect(first[0..<8] != first[8..<16])
    }
}
