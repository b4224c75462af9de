-- +goose Down
ALTER TABLE users DROP COLUMN email;
