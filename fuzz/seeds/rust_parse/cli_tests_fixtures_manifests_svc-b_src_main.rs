fn main() {
    println!("svc-b");
}
