-- Admin roles (超级管理员, 内容审核, 商城运营, 教务管理, 活动与资讯, 客服): each names a set of
-- permissions in code (web::perm). A user with the `admin` account role acts only under the
-- admin roles granted here. Every existing admin becomes 超级管理员, so nobody loses a page.
CREATE TABLE admin_role_grants (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX admin_role_grants_role_idx ON admin_role_grants (role);

INSERT INTO admin_role_grants (user_id, role, granted_by, granted_at)
SELECT user_id, 'super', NULL, CURRENT_TIMESTAMP FROM user_roles WHERE role = 'admin';

-- The permission an admin action was taken under (NULL for everything else).
ALTER TABLE audit_log ADD COLUMN permission TEXT;
