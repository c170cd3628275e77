fn main() {
    println!("svc-c");
}
