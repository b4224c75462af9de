-- +migrate Up
VACUUM;
