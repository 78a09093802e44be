DROP TABLE chat_messages;
DROP TABLE chat_threads;
DROP TABLE second_hand_reports;
DROP TABLE second_hand_items;
