public enum GeodimCommand { public static func main() { print("geodim") } }
