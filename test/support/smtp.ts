// Tests start the same SMTP sink process the demo uses.
export { startSmtpSink, type ReceivedEmail, type SinkStats, type SmtpSink } from "../../server/smtp-sink-process";
