DROP TABLE classroom_booking_slots;
DROP TABLE classroom_bookings;
