-- migc:lock-timeout 2s
CREATE TABLE carts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
