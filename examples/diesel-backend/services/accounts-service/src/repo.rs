//! Account queries.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use shop_db::models::{NewSession, NewUser, Session, User};
use shop_db::schema::sessions;
use shop_db::schema::users::dsl::*;

pub fn create_user(
    conn: &mut PgConnection,
    new_email: &str,
    name: &str,
    hash: &str,
) -> QueryResult<User> {
    diesel::insert_into(users)
        .values(&NewUser {
            email: new_email,
            display_name: name,
            password_hash: hash,
        })
        .returning(User::as_returning())
        .get_result(conn)
}

pub fn find_by_email(conn: &mut PgConnection, wanted: &str) -> QueryResult<Option<User>> {
    users
        .filter(email.eq(wanted))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn rename(conn: &mut PgConnection, user_id: i64, name: &str) -> QueryResult<User> {
    let mut user = users
        .find(user_id)
        .select(User::as_select())
        .first(conn)?;
    user.display_name = name.to_string();
    user.save_changes::<User>(conn)
}

pub fn record_login(conn: &mut PgConnection, user: &User) -> QueryResult<usize> {
    diesel::update(user)
        .set(last_login_at.eq(Utc::now()))
        .execute(conn)
}

pub fn open_session(conn: &mut PgConnection, user: &User, token: String) -> QueryResult<Session> {
    diesel::insert_into(sessions::table)
        .values(&NewSession {
            user_id: user.id,
            token,
            expires_at: Utc::now() + Duration::days(30),
        })
        .returning(Session::as_returning())
        .get_result(conn)
}

pub fn session_user(conn: &mut PgConnection, token: &str) -> QueryResult<Option<User>> {
    sessions::table
        .inner_join(users)
        .filter(sessions::token.eq(token))
        .filter(sessions::expires_at.gt(Utc::now()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn delete_account(conn: &mut PgConnection, user_id: i64) -> QueryResult<usize> {
    conn.transaction(|conn| {
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
        diesel::delete(users.find(user_id)).execute(conn)
    })
}
