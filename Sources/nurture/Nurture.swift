@main
struct Nurture {
    static func main() {}
}
