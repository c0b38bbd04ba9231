"""What is sold, and by whom: producers, products, OCOP certifications, images, categories,
administrative units, and the Vietnamese text, money and phone helpers."""
