#pragma once

#include <QMainWindow>
#include <QThreadPool>

class QLabel;
class QTableView;

namespace tracemap {

class TraceListModel;

/// The main window: imports the files it is given into the cache off the GUI thread and lists the cached traces.
/// (The full shell — search dock, trace tabs, span details — is the next step.)
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QString cachePath, QWidget* parent = nullptr);
    void openFiles(const QStringList& files);

private:
    void refresh();

    QString m_cachePath;
    // One worker for all cache work: imports and listings run in the order they were asked for.
    QThreadPool m_cacheWorker;
    TraceListModel* m_model;
    QTableView* m_view;
    QLabel* m_status;
};

} // namespace tracemap
