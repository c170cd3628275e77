// Encodé en Latin-1: café.
pub fn latin() -> &'static str {
    "SELECT * FROM latin_table"
}
