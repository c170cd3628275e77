fn main() {
    println!("svc-a");
}
