module hms/frontend

go 1.26.8
