DROP TABLE ref_versions;
