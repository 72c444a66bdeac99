package dev.sluice.http;

import dev.sluice.api.NotFoundException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The periods one scheduled run of an HTTP source fetches (the http-ingest route splits them): the
 * current one; with "current-and-previous" the one before it first, to pick up its corrections; for
 * a per-gauge source the known gauges not checked within its refreshAfter.
 */
@ApplicationScoped
@Named("httpDuePeriods")
public class DuePeriods {

    private static final Logger LOG = Logger.getLogger(DuePeriods.class);

    @Inject
    HttpSources sources;
    @Inject
    AgroalDataSource dataSource;

    /** @param periods current, current-and-previous or stale (the schedule's choice) */
    public List<String> due(String sourceName, String periods) throws SQLException {
        HttpSource source = sources.named(sourceName).orElseThrow(() -> new NotFoundException("no source named '" + sourceName + "'"));
        if (source.period() == Periods.Kind.GAUGE) {
            List<String> gauges = staleGauges(source);
            LOG.infof("%s: %d gauges not refreshed within %s", sourceName, gauges.size(), source.refreshAfter());
            return gauges;
        }
        String current = Periods.current(source.period(), LocalDate.now(ZoneOffset.UTC));
        List<String> due = new ArrayList<>();
        if ("current-and-previous".equals(periods) && source.period() != Periods.Kind.LATEST) {
            due.add(Periods.previous(source.period(), current));
        }
        due.add(current);
        return due;
    }

    /** The gauges Sluice knows (from readings and gauge rows) whose metadata was not checked within refreshAfter. */
    List<String> staleGauges(HttpSource source) throws SQLException {
        List<String> gauges = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("""
                     select known.gauge_id from (select distinct gauge_id from rain_readings union select gauge_id from gauges) known
                     left join http_resource r on r.source = ? and r.period = known.gauge_id
                     where r.checked_at is null or r.checked_at < now() - make_interval(secs => ?)
                     order by known.gauge_id""")) {
            select.setString(1, source.name());
            select.setLong(2, source.refreshAfter().toSeconds());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    gauges.add(rows.getString(1));
                }
            }
        }
        return gauges;
    }
}
