DROP TABLE campus_pois;
DROP TABLE campus_maps;
DROP TABLE campus_news;
