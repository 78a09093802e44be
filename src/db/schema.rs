// One schema for both backends; it matches migrations/sqlite and migrations/postgres.

diesel::table! {
    users (id) {
        id -> BigInt,
        nickname -> Text,
        avatar -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        student_no -> Nullable<Text>,
        real_name -> Nullable<Text>,
        college -> Nullable<Text>,
        major -> Nullable<Text>,
        class_name -> Nullable<Text>,
        verified -> Bool,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    user_auth (id) {
        id -> BigInt,
        user_id -> BigInt,
        auth_type -> Text,
        auth_key -> Text,
        secret_hash -> Nullable<Text>,
        unionid -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auth_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        purpose -> Text,
        user_id -> BigInt,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        title -> Text,
        body -> Text,
        link -> Nullable<Text>,
        read_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        status -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        last_error -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        to_addr -> Text,
        subject -> Text,
        body_text -> Text,
        status -> Text,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Text>,
        detail -> Text,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(user_auth -> users (user_id));
diesel::joinable!(auth_tokens -> users (user_id));
diesel::joinable!(messages -> users (user_id));
diesel::joinable!(email_outbox -> users (user_id));
diesel::joinable!(audit_log -> users (actor_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    user_roles,
    user_auth,
    auth_tokens,
    messages,
    jobs,
    email_outbox,
    audit_log,
);
