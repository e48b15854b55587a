module hms/shared

go 1.26.8
