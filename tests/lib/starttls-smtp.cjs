// An SMTP server that offers STARTTLS (maildev 3 never does), for the notification tests: nodemailer's smtp-server,
// the library maildev itself is built on, from maildev's own node_modules. Each message is written to DIR as N.eml;
// the server refuses MAIL FROM before STARTTLS, so a client that did not upgrade cannot deliver.
// Usage: node starttls-smtp.cjs SMTP_SERVER_MODULE PORT CERT KEY DIR
const [, , library, port, cert, key, dir] = process.argv;
const { SMTPServer } = require(library);
const fs = require('fs');
const path = require('path');
let count = 0;
const server = new SMTPServer({
    secure: false,
    cert: fs.readFileSync(cert),
    key: fs.readFileSync(key),
    authOptional: true,
    // Any log-in is taken, over TLS only (smtp-server refuses AUTH on a plain connection unless allowInsecureAuth).
    onAuth(auth, session, callback) {
        callback(null, { user: auth.username });
    },
    onMailFrom(address, session, callback) {
        if (!session.secure) {
            return callback(Object.assign(new Error('530 Must issue a STARTTLS command first'), { responseCode: 530 }));
        }
        callback();
    },
    onData(stream, session, callback) {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', () => {
            count += 1;
            fs.writeFileSync(path.join(dir, `${count}.eml`), Buffer.concat(chunks));
            callback(null, `Message ${count} accepted over TLS`);
        });
    },
});
server.listen(Number(port), '127.0.0.1');
