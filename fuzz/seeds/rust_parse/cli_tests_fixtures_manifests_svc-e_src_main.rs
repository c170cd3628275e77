fn main() {
    println!("svc-e");
}
