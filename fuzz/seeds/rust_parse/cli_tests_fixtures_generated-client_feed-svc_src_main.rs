//! Uses the generated message types only (decoding events), not the client.

use content_proto::content::Post;
use prost::Message;

fn decode(bytes: &[u8]) -> Option<Post> {
    Post::decode(bytes).ok()
}

fn main() {
    println!("{:?}", decode(&[]).map(|p| p.id));
}
