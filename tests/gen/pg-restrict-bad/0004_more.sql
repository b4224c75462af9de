\unrestrict abc\i other.sql
