INSERT INTO users (name) VALUES ('root');
