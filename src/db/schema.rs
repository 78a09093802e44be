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
        phone_index -> Nullable<Text>,
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
        scrub_after_send -> Bool,
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
        shop_id -> Nullable<BigInt>,
        permission -> Nullable<Text>,
    }
}

diesel::table! {
    shops (id) {
        id -> BigInt,
        owner_id -> BigInt,
        name -> Text,
        description -> Text,
        location -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    product_categories (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        name -> Text,
        sort_order -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    products (id) {
        id -> BigInt,
        shop_id -> BigInt,
        category_id -> BigInt,
        name -> Text,
        description -> Text,
        images -> Text,
        price_cents -> BigInt,
        original_price_cents -> Nullable<BigInt>,
        sales -> BigInt,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        low_stock_threshold -> BigInt,
    }
}

diesel::table! {
    product_skus (id) {
        id -> BigInt,
        product_id -> BigInt,
        name -> Text,
        price_cents -> BigInt,
        stock -> BigInt,
        sales -> BigInt,
        sort_order -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    banners (id) {
        id -> BigInt,
        title -> Text,
        image -> Text,
        link -> Text,
        sort_order -> Integer,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pickup_points (id) {
        id -> BigInt,
        name -> Text,
        address -> Text,
        active -> Bool,
    }
}

diesel::table! {
    cart_items (id) {
        id -> BigInt,
        user_id -> BigInt,
        sku_id -> BigInt,
        quantity -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        order_no -> Text,
        user_id -> BigInt,
        shop_id -> BigInt,
        status -> Text,
        total_cents -> BigInt,
        discount_cents -> BigInt,
        pay_cents -> BigInt,
        refunded_cents -> BigInt,
        delivery_type -> Text,
        pickup_point_id -> Nullable<BigInt>,
        receiver_name -> Text,
        receiver_phone -> Text,
        address -> Text,
        remark -> Text,
        checkout_key -> Text,
        refund_from -> Nullable<Text>,
        courier -> Nullable<Text>,
        tracking_no -> Nullable<Text>,
        pickup_code -> Nullable<Text>,
        paid_at -> Nullable<Timestamp>,
        shipped_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        user_coupon_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    order_items (id) {
        id -> BigInt,
        order_id -> BigInt,
        product_id -> BigInt,
        sku_id -> BigInt,
        product_name -> Text,
        sku_name -> Text,
        image -> Text,
        price_cents -> BigInt,
        quantity -> BigInt,
    }
}

diesel::table! {
    order_events (id) {
        id -> BigInt,
        order_id -> BigInt,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Nullable<BigInt>,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        order_id -> BigInt,
        provider -> Text,
        amount_cents -> BigInt,
        status -> Text,
        transaction_id -> Nullable<Text>,
        paid_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refunds (id) {
        id -> BigInt,
        order_id -> BigInt,
        refund_no -> Text,
        amount_cents -> BigInt,
        reason -> Text,
        status -> Text,
        reject_reason -> Nullable<Text>,
        provider_refund_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        attempts -> Integer,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    second_hand_items (id) {
        id -> BigInt,
        seller_id -> BigInt,
        title -> Text,
        description -> Text,
        price_cents -> BigInt,
        condition -> Text,
        images -> Text,
        pickup_place -> Text,
        status -> Text,
        report_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        category -> Text,
        reserve_hours -> Integer,
        reserved_by -> Nullable<BigInt>,
        reserved_until -> Nullable<Timestamp>,
        handover_code -> Nullable<Text>,
        code_failures -> Integer,
        buyer_id -> Nullable<BigInt>,
        sold_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
        expiry_reminded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    second_hand_reports (id) {
        id -> BigInt,
        item_id -> BigInt,
        reporter_id -> BigInt,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    chat_threads (id) {
        id -> BigInt,
        item_id -> BigInt,
        buyer_id -> BigInt,
        seller_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        meetup_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    media_removed (path) {
        path -> Text,
        removed_at -> Timestamp,
        purge_after -> Timestamp,
    }
}

diesel::table! {
    chat_messages (id) {
        id -> BigInt,
        thread_id -> BigInt,
        sender_id -> BigInt,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    wx_subscriptions (user_id, template_id) {
        user_id -> BigInt,
        template_id -> Text,
        remaining -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notification_prefs (user_id, category) {
        user_id -> BigInt,
        category -> Text,
        email -> Bool,
        wechat -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sensitive_words (id) {
        id -> BigInt,
        word -> Text,
        action -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    merchant_applications (id) {
        id -> BigInt,
        user_id -> BigInt,
        shop_name -> Text,
        contact_name -> Text,
        contact_phone -> Text,
        location -> Text,
        category -> Text,
        licence_image -> Nullable<Text>,
        status -> Text,
        reject_reason -> Nullable<Text>,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    stock_logs (id) {
        id -> BigInt,
        sku_id -> BigInt,
        product_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        delta -> BigInt,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    coupons (id) {
        id -> BigInt,
        shop_id -> BigInt,
        title -> Text,
        kind -> Text,
        threshold_cents -> BigInt,
        amount_cents -> BigInt,
        percent_off -> Integer,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        total -> Integer,
        claimed -> Integer,
        per_user_limit -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    user_coupons (id) {
        id -> BigInt,
        coupon_id -> BigInt,
        user_id -> BigInt,
        status -> Text,
        order_id -> Nullable<BigInt>,
        claimed_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ref_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    user_sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        last_seen_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    admin_role_grants (user_id, role) {
        user_id -> BigInt,
        role -> Text,
        granted_by -> Nullable<BigInt>,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    two_factor (user_id) {
        user_id -> BigInt,
        secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    two_factor_recovery (id) {
        id -> BigInt,
        user_id -> BigInt,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(user_sessions -> users (user_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(user_auth -> users (user_id));
diesel::joinable!(auth_tokens -> users (user_id));
diesel::joinable!(messages -> users (user_id));
diesel::joinable!(notification_prefs -> users (user_id));
diesel::joinable!(email_outbox -> users (user_id));
diesel::joinable!(audit_log -> users (actor_id));
diesel::joinable!(shops -> users (owner_id));
diesel::joinable!(products -> shops (shop_id));
diesel::joinable!(products -> product_categories (category_id));
diesel::joinable!(product_skus -> products (product_id));
diesel::joinable!(cart_items -> product_skus (sku_id));
diesel::joinable!(cart_items -> users (user_id));
diesel::joinable!(orders -> shops (shop_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(order_events -> orders (order_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(refunds -> orders (order_id));
diesel::joinable!(second_hand_items -> users (seller_id));
diesel::joinable!(second_hand_reports -> second_hand_items (item_id));
diesel::joinable!(chat_threads -> second_hand_items (item_id));
diesel::joinable!(chat_messages -> chat_threads (thread_id));
diesel::joinable!(user_coupons -> coupons (coupon_id));
diesel::joinable!(coupons -> shops (shop_id));

diesel::table! {
    product_imports (id) {
        id -> BigInt,
        shop_id -> BigInt,
        user_id -> BigInt,
        file_name -> Text,
        status -> Text,
        total_rows -> BigInt,
        done_rows -> BigInt,
        created -> BigInt,
        updated -> BigInt,
        errors -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    moderation_flags (id) {
        id -> BigInt,
        kind -> Text,
        target_id -> BigInt,
        author_id -> Nullable<BigInt>,
        title -> Text,
        reason -> Text,
        status -> Text,
        created_at -> Timestamp,
        resolved_by -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        excerpt -> Text,
        times -> BigInt,
    }
}

diesel::table! {
    forum_boards (id) {
        id -> BigInt,
        name -> Text,
        description -> Text,
        icon -> Text,
        sort_order -> Integer,
        admin_only -> Bool,
        active -> Bool,
        created_at -> Timestamp,
        open_to_all -> Bool,
        review_all -> Bool,
    }
}

diesel::table! {
    forum_posts (id) {
        id -> BigInt,
        board_id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        body -> Text,
        images -> Text,
        anonymous -> Bool,
        status -> Text,
        hidden_reason -> Nullable<Text>,
        pinned -> Bool,
        locked -> Bool,
        like_count -> BigInt,
        comment_count -> BigInt,
        view_count -> BigInt,
        report_count -> Integer,
        hot_score -> Double,
        last_reply_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    forum_comments (id) {
        id -> BigInt,
        post_id -> BigInt,
        author_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        reply_to_id -> Nullable<BigInt>,
        reply_to_name -> Nullable<Text>,
        body -> Text,
        anonymous -> Bool,
        status -> Text,
        like_count -> BigInt,
        reply_count -> BigInt,
        edited_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_likes (id) {
        id -> BigInt,
        user_id -> BigInt,
        target_kind -> Text,
        target_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_reports (id) {
        id -> BigInt,
        post_id -> BigInt,
        reporter_id -> BigInt,
        reason -> Text,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_mutes (user_id, post_id) {
        user_id -> BigInt,
        post_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_bans (user_id) {
        user_id -> BigInt,
        until -> Timestamp,
        reason -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_saves (id) {
        id -> BigInt,
        user_id -> BigInt,
        post_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_comment_reports (id) {
        id -> BigInt,
        comment_id -> BigInt,
        reporter_id -> BigInt,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_moderators (board_id, user_id) {
        board_id -> BigInt,
        user_id -> BigInt,
        appointed_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_mod_log (id) {
        id -> BigInt,
        board_id -> BigInt,
        actor_id -> BigInt,
        action -> Text,
        target_kind -> Text,
        target_id -> BigInt,
        title -> Text,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_warnings (id) {
        id -> BigInt,
        user_id -> BigInt,
        board_id -> BigInt,
        issued_by -> BigInt,
        post_id -> Nullable<BigInt>,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(forum_posts -> forum_boards (board_id));
diesel::joinable!(forum_saves -> forum_posts (post_id));
diesel::joinable!(forum_moderators -> users (user_id));
diesel::joinable!(forum_mod_log -> users (actor_id));
diesel::joinable!(forum_warnings -> forum_boards (board_id));
diesel::joinable!(forum_posts -> users (author_id));
diesel::joinable!(forum_comments -> forum_posts (post_id));
diesel::joinable!(forum_comments -> users (author_id));
diesel::joinable!(forum_reports -> forum_posts (post_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    user_roles,
    user_auth,
    auth_tokens,
    messages,
    jobs,
    email_outbox,
    audit_log,
    shops,
    product_categories,
    products,
    product_skus,
    banners,
    pickup_points,
    cart_items,
    orders,
    order_items,
    order_events,
    payments,
    refunds,
    second_hand_items,
    second_hand_reports,
    chat_threads,
    chat_messages,
    wx_subscriptions,
    sensitive_words,
    merchant_applications,
    stock_logs,
    product_imports,
    moderation_flags,
    coupons,
    user_coupons,
    settings,
    user_sessions,
    notification_prefs,
);

// Campus life: activities, news, the map, feedback.

diesel::table! {
    activities (id) {
        id -> BigInt,
        title -> Text,
        category -> Text,
        description -> Text,
        poster -> Nullable<Text>,
        place -> Text,
        poi_id -> Nullable<BigInt>,
        organizer_id -> BigInt,
        host -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        deadline -> Timestamp,
        capacity -> BigInt,
        registered -> BigInt,
        questions -> Text,
        status -> Text,
        reminded_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        open_to_all -> Bool,
    }
}

diesel::table! {
    activity_registrations (id) {
        id -> BigInt,
        activity_id -> BigInt,
        user_id -> BigInt,
        status -> Text,
        name -> Text,
        student_no -> Text,
        phone -> Text,
        answers -> Text,
        code -> Text,
        checked_in_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campus_news (id) {
        id -> BigInt,
        category -> Text,
        title -> Text,
        summary -> Text,
        body_html -> Text,
        cover -> Nullable<Text>,
        author_id -> BigInt,
        status -> Text,
        published_at -> Timestamp,
        views -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campus_maps (id) {
        id -> BigInt,
        image -> Text,
        width -> Integer,
        height -> Integer,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    campus_pois (id) {
        id -> BigInt,
        name -> Text,
        category -> Text,
        description -> Text,
        address -> Text,
        hours -> Text,
        x_bp -> Integer,
        y_bp -> Integer,
        lat -> Nullable<Double>,
        lng -> Nullable<Double>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    feedback (id) {
        id -> BigInt,
        user_id -> BigInt,
        category -> Text,
        body -> Text,
        images -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    feedback_replies (id) {
        id -> BigInt,
        feedback_id -> BigInt,
        author_id -> BigInt,
        staff -> Bool,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(activities -> users (organizer_id));
diesel::joinable!(activity_registrations -> activities (activity_id));
diesel::joinable!(feedback -> users (user_id));
diesel::joinable!(feedback_replies -> feedback (feedback_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    activities,
    activity_registrations,
    campus_news,
    campus_maps,
    campus_pois,
    feedback,
    feedback_replies,
    forum_boards,
    forum_posts,
    forum_comments,
    forum_likes,
    forum_reports,
    forum_mutes,
    forum_bans,
    forum_saves,
    forum_comment_reports,
    forum_moderators,
    forum_mod_log,
    forum_warnings,
);

// Academic records (migration `2026-12-02-020000_academic`).

diesel::table! {
    semesters (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        starts_on -> Date,
        weeks -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_events (id) {
        id -> BigInt,
        semester_id -> BigInt,
        kind -> Text,
        title -> Text,
        starts_on -> Date,
        ends_on -> Date,
        created_at -> Timestamp,
        follows_on -> Nullable<Date>,
    }
}

diesel::table! {
    periods (number) {
        number -> Integer,
        starts_at -> Time,
        ends_at -> Time,
    }
}

diesel::table! {
    students (id) {
        id -> BigInt,
        student_no -> Text,
        name -> Text,
        college -> Text,
        major -> Text,
        class_name -> Text,
        enrol_year -> Integer,
        status -> Text,
        id_hash -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    teachers (id) {
        id -> BigInt,
        staff_no -> Text,
        name -> Text,
        department -> Text,
        title -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    courses (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        credit_tenths -> Integer,
        kind -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    classrooms (id) {
        id -> BigInt,
        code -> Text,
        building -> Text,
        capacity -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_schedules (id) {
        id -> BigInt,
        semester_id -> BigInt,
        course_id -> BigInt,
        teacher_id -> Nullable<BigInt>,
        class_names -> Text,
        day_of_week -> Integer,
        period_start -> Integer,
        period_end -> Integer,
        weeks -> Text,
        week_mask -> BigInt,
        classroom_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    grades (id) {
        id -> BigInt,
        student_no -> Text,
        semester_id -> BigInt,
        course_id -> BigInt,
        regular -> Nullable<Integer>,
        midterm -> Nullable<Integer>,
        #[sql_name = "final"]
        final_score -> Nullable<Integer>,
        total -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    exams (id) {
        id -> BigInt,
        student_no -> Text,
        semester_id -> BigInt,
        course_id -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        room -> Text,
        seat -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    academic_imports (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        file_name -> Text,
        dry_run -> Bool,
        status -> Text,
        total_rows -> BigInt,
        done_rows -> BigInt,
        created -> BigInt,
        updated -> BigInt,
        unchanged -> BigInt,
        errors -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    schedule_entries (id) {
        id -> BigInt,
        user_id -> BigInt,
        semester_id -> BigInt,
        title -> Text,
        place -> Text,
        day_of_week -> Integer,
        period_start -> Nullable<Integer>,
        period_end -> Nullable<Integer>,
        starts_at -> Nullable<Time>,
        ends_at -> Nullable<Time>,
        weeks -> Text,
        week_mask -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    grades_seen (user_id) {
        user_id -> BigInt,
        seen -> Text,
        seen_at -> Timestamp,
    }
}

diesel::joinable!(schedule_entries -> semesters (semester_id));
diesel::joinable!(calendar_events -> semesters (semester_id));
diesel::joinable!(course_schedules -> semesters (semester_id));
diesel::joinable!(course_schedules -> courses (course_id));
diesel::joinable!(course_schedules -> teachers (teacher_id));
diesel::joinable!(course_schedules -> classrooms (classroom_id));
diesel::joinable!(grades -> semesters (semester_id));
diesel::joinable!(grades -> courses (course_id));
diesel::joinable!(exams -> semesters (semester_id));
diesel::joinable!(exams -> courses (course_id));
diesel::joinable!(academic_imports -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    semesters,
    calendar_events,
    periods,
    students,
    teachers,
    courses,
    classrooms,
    course_schedules,
    grades,
    exams,
    academic_imports,
    users,
    schedule_entries,
    grades_seen,
);

diesel::table! {
    calendar_feeds (user_id) {
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    classroom_bookings (id) {
        id -> BigInt,
        classroom_id -> BigInt,
        user_id -> BigInt,
        on_date -> Date,
        period_start -> Integer,
        period_end -> Integer,
        purpose -> Text,
        attendees -> Integer,
        status -> Text,
        reason -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    classroom_booking_slots (classroom_id, on_date, period) {
        classroom_id -> BigInt,
        on_date -> Date,
        period -> Integer,
        booking_id -> BigInt,
    }
}

diesel::joinable!(classroom_bookings -> classrooms (classroom_id));
diesel::joinable!(classroom_booking_slots -> classroom_bookings (booking_id));

diesel::allow_tables_to_appear_in_same_query!(classroom_bookings, classroom_booking_slots, classrooms);
diesel::allow_tables_to_appear_in_same_query!(classroom_bookings, users);

diesel::table! {
    campus_contacts (id) {
        id -> BigInt,
        department -> Text,
        office -> Text,
        phone -> Text,
        email -> Text,
        location -> Text,
        hours -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evaluations (id) {
        id -> BigInt,
        student_no -> Text,
        year -> Text,
        academic -> Integer,
        moral -> Integer,
        sports -> Integer,
        extra -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(evaluations, students);

// Identity: one-time email codes (password reset, campus mailbox) and manual review of student cards.
diesel::table! {
    one_time_codes (id) {
        id -> BigInt,
        purpose -> Text,
        user_id -> Nullable<BigInt>,
        target -> Text,
        code_hash -> Text,
        attempts -> Integer,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sms_sends (target) {
        target -> Text,
        last_sent_at -> Timestamp,
        window_start -> Timestamp,
        sent_in_window -> Integer,
    }
}

diesel::table! {
    identity_reviews (id) {
        id -> BigInt,
        user_id -> BigInt,
        school_no -> Text,
        real_name -> Text,
        photo_file -> Nullable<Text>,
        status -> Text,
        reason -> Nullable<Text>,
        reviewer_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(one_time_codes -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(one_time_codes, users);
diesel::allow_tables_to_appear_in_same_query!(identity_reviews, users);

diesel::table! {
    reminder_prefs (user_id, purpose) {
        user_id -> BigInt,
        purpose -> Text,
        lead_minutes -> Nullable<Integer>,
        evening_before -> Bool,
        in_app -> Bool,
        email -> Bool,
        wechat -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    quiet_hours (user_id) {
        user_id -> BigInt,
        starts_min -> Integer,
        ends_min -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminder_log (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        occurrence -> Text,
        title -> Text,
        starts_at -> Timestamp,
        outcome -> Text,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(reminder_prefs -> users (user_id));
diesel::joinable!(quiet_hours -> users (user_id));
diesel::joinable!(reminder_log -> users (user_id));

// The second-hand market's safety: meetup points, ratings, wanted posts, favourites.

diesel::table! {
    second_hand_meetup_points (id) {
        id -> BigInt,
        name -> Text,
        poi_id -> Nullable<BigInt>,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    second_hand_meetups (id) {
        id -> BigInt,
        item_id -> BigInt,
        point_id -> BigInt,
        meet_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    second_hand_ratings (id) {
        id -> BigInt,
        item_id -> BigInt,
        rater_id -> BigInt,
        ratee_id -> BigInt,
        score -> Text,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    second_hand_wanted (id) {
        id -> BigInt,
        user_id -> BigInt,
        keywords -> Text,
        category -> Text,
        max_price_cents -> BigInt,
        note -> Text,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    second_hand_wanted_hits (id) {
        id -> BigInt,
        wanted_id -> BigInt,
        item_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    second_hand_favourites (id) {
        id -> BigInt,
        item_id -> BigInt,
        user_id -> BigInt,
        seen_price_cents -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(second_hand_meetups -> second_hand_meetup_points (point_id));
diesel::joinable!(second_hand_meetups -> second_hand_items (item_id));
diesel::joinable!(second_hand_meetup_points -> campus_pois (poi_id));
diesel::joinable!(second_hand_ratings -> second_hand_items (item_id));
diesel::joinable!(second_hand_wanted -> users (user_id));
diesel::joinable!(second_hand_wanted_hits -> second_hand_wanted (wanted_id));
diesel::joinable!(second_hand_favourites -> second_hand_items (item_id));
diesel::allow_tables_to_appear_in_same_query!(
    second_hand_meetup_points,
    second_hand_meetups,
    second_hand_ratings,
    second_hand_wanted,
    second_hand_wanted_hits,
    second_hand_favourites,
);
diesel::allow_tables_to_appear_in_same_query!(second_hand_meetup_points, second_hand_items);
diesel::allow_tables_to_appear_in_same_query!(second_hand_meetup_points, chat_threads);
diesel::allow_tables_to_appear_in_same_query!(second_hand_meetup_points, campus_pois);
diesel::allow_tables_to_appear_in_same_query!(second_hand_meetup_points, users);
diesel::allow_tables_to_appear_in_same_query!(second_hand_meetups, second_hand_items);
diesel::allow_tables_to_appear_in_same_query!(second_hand_meetups, chat_threads);
diesel::allow_tables_to_appear_in_same_query!(second_hand_meetups, campus_pois);
diesel::allow_tables_to_appear_in_same_query!(second_hand_meetups, users);
diesel::allow_tables_to_appear_in_same_query!(second_hand_ratings, second_hand_items);
diesel::allow_tables_to_appear_in_same_query!(second_hand_ratings, users);
diesel::allow_tables_to_appear_in_same_query!(second_hand_wanted, second_hand_items);
diesel::allow_tables_to_appear_in_same_query!(second_hand_wanted, users);
diesel::allow_tables_to_appear_in_same_query!(second_hand_wanted_hits, second_hand_items);
diesel::allow_tables_to_appear_in_same_query!(second_hand_wanted_hits, users);
diesel::allow_tables_to_appear_in_same_query!(second_hand_favourites, second_hand_items);
diesel::allow_tables_to_appear_in_same_query!(second_hand_favourites, users);
