-- Each service owns its database.
CREATE DATABASE catalog OWNER santhai;
CREATE DATABASE checkout OWNER santhai;
