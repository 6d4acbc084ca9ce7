# header_add refuses a name with a colon or space, or a value with CR/LF.
!testplugins
!user example.test/alice
!conf [smtpd]
!conf filters = probe
!conf [plugin probe]
!conf add_header = Bad Name: x
S: 220 *
C: HELO x
S: 250 *
C: MAIL FROM:<a@example.net>
S: 250 *
C: RCPT TO:<alice@example.test>
S: 250 *
C: DATA
S: 354 *
C: Subject: hi
C:
C: body
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 *
!body example.test/alice Subject: hi\r\n\r\nbody\r\n
!log header_add refused
